# Empty dependencies file for test_gis_index.
# This may be replaced when dependencies are built.
