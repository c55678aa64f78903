"""tillgate's SKU models: the shared feature definition in Python, Spark MLlib training, ONNX export, release."""
