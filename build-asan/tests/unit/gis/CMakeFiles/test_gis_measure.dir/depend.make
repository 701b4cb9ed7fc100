# Empty dependencies file for test_gis_measure.
# This may be replaced when dependencies are built.
