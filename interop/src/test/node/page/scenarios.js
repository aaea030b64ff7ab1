// scenarios interpreter: written with the differential suite
