"""openTSNE reference for `cnn-lab tsne-bench`: same data, same settings (2-D, perplexity 30,
250 early-exaggeration + 500 iterations, PCA initialisation, FFT gradients, all cores).
Prints one JSON line: {"version", "seconds", "trustworthiness"}. Needs openTSNE and scikit-learn
(`pip install -r bench/requirements.txt`)."""
import json, sys, time
import numpy as np

try:
    import openTSNE
    from sklearn.manifold import trustworthiness
except ImportError as e:
    sys.exit(f"openTSNE reference needs openTSNE and scikit-learn: {e}")

x = np.loadtxt(sys.argv[1], delimiter="\t", dtype=np.float32)
# Warm-up on a small sample, so that one-time JIT compilation (pynndescent uses numba) is not
# counted against openTSNE.
openTSNE.TSNE(n_components=2, perplexity=30, n_iter=10, early_exaggeration_iter=10, n_jobs=-1,
              random_state=0).fit(x[:1000])
t0 = time.perf_counter()
y = openTSNE.TSNE(n_components=2, perplexity=30, early_exaggeration_iter=250, n_iter=500,
                  initialization="pca", negative_gradient_method="fft", n_jobs=-1,
                  random_state=42).fit(x)
seconds = time.perf_counter() - t0
tw = trustworthiness(x, np.asarray(y), n_neighbors=10)
print(json.dumps({"version": openTSNE.__version__, "seconds": seconds, "trustworthiness": tw}))
