"""Test-session setup shared by every test file."""
import os

# One BLAS thread, as `import scratchgan` asks for (scratchgan/__init__.py), but set here because test
# modules import NumPy before scratchgan: a threaded BLAS makes the toy-sized matmuls several times slower.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
