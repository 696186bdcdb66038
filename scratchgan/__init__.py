"""scratchgan: generative adversarial networks from scratch in NumPy.

Reading path: nn (layers and backprop) -> losses (GAN objectives) -> optim -> gradcheck -> training.
"""

__version__ = "0.1.0"
