# Empty dependencies file for plat_layers.
# This may be replaced when dependencies are built.
