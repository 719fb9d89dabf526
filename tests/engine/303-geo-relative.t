# SecGeoLookupDB resolves a relative file name against the directory of
# the configuration file that names it.
--CONF--
SecRuleEngine On
SecGeoLookupDB geo/missing.dat
--EXPECT--
error-contains Could not open geo database "/.+/geo/missing\.dat"
