"""The parity gate: the same held-out rows through MLlib, onnxruntime (Python) and onnxruntime-node
(the edge's own StockoutScorer, via edge/src/scoring/score-rows-cli.ts). A model whose ONNX output is
more than PARITY_TOLERANCE away from MLlib's on any row is not released."""

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from .feature_spec import REPO_ROOT
from .onnx_graph import INPUT_NAME

PARITY_TOLERANCE = 1e-5
NODE_SCORER = REPO_ROOT / "edge" / "src" / "scoring" / "score-rows-cli.ts"


@dataclass(frozen=True)
class ParityResult:
    rows: int
    max_abs_diff_python: float
    max_abs_diff_node: float | None

    @property
    def max_abs_diff(self) -> float:
        return max(self.max_abs_diff_python, self.max_abs_diff_node or 0.0)

    @property
    def passed(self) -> bool:
        return self.max_abs_diff <= PARITY_TOLERANCE


def onnxruntime_python(model_bytes: bytes, rows: np.ndarray) -> np.ndarray:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {INPUT_NAME: rows.astype(np.float32)})
    return np.asarray(output, dtype=np.float64).reshape(-1)


def onnxruntime_node(model_dir: Path, rows: np.ndarray, extra_trusted_key: Path | None = None) -> np.ndarray:
    with tempfile.TemporaryDirectory(prefix="tg-parity-") as tmp:
        rows_path, out_path = Path(tmp) / "rows.f32", Path(tmp) / "out.f32"
        rows.astype("<f4").tofile(rows_path)
        extra = [] if extra_trusted_key is None else [str(extra_trusted_key)]
        subprocess.run(
            ["npx", "tsx", str(NODE_SCORER), str(model_dir), str(rows_path), str(out_path), *extra],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
        return np.fromfile(out_path, dtype="<f4").astype(np.float64)


def check_parity(
    mllib: np.ndarray,
    model_bytes: bytes,
    rows: np.ndarray,
    signed_model_dir: Path | None,
    extra_trusted_key: Path | None = None,
) -> ParityResult:
    """mllib: MLlib's predictions for `rows` (float32-exact features). signed_model_dir: a signed
    release of the same model for the node leg (None for models the edge does not run)."""
    python = onnxruntime_python(model_bytes, rows)
    node = None if signed_model_dir is None else onnxruntime_node(signed_model_dir, rows, extra_trusted_key)
    return ParityResult(
        rows=len(rows),
        max_abs_diff_python=float(np.max(np.abs(python - mllib))),
        max_abs_diff_node=None if node is None else float(np.max(np.abs(node - mllib))),
    )
