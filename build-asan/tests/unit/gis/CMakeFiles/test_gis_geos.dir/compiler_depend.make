# Empty compiler generated dependencies file for test_gis_geos.
# This may be replaced when dependencies are built.
