# Empty dependencies file for test_gis_crs.
# This may be replaced when dependencies are built.
