# Empty compiler generated dependencies file for plat_gis.
# This may be replaced when dependencies are built.
