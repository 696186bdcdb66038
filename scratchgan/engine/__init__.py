"""The engine: layers with hand-written backward passes, the GAN losses, the optimizers, and the gradient checker.

Read in this order (README's reading path, steps 1-5):

    nn.py             Module, Parameter, Linear, the activations, Sequential; forward and backward by hand
    losses.py         the GAN objectives: L_D and L_G with their derivatives with respect to D's logits
    optim.py          SGD, Adam, RMSprop: what a step does with the accumulated .grad
    gradcheck.py      every backward pass against central differences, in float64
    gan_backward.py   the two gradients of a GAN step: L_D into D, and L_G through a frozen D into G
    batchnorm.py      BatchNorm and the DCGAN blocks
    errors.py         UsageError: a mistake in the input, as opposed to a bug
    npfile.py         reading a NumPy file the user names

Everything else in the package is built from these; nothing here imports from above.
"""
