# Empty compiler generated dependencies file for plat_importers.
# This may be replaced when dependencies are built.
