# Empty dependencies file for test_gis_gcj02.
# This may be replaced when dependencies are built.
