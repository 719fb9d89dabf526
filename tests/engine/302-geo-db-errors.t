# SecGeoLookupDB with a file that does not exist stops the configuration.
--CONF--
SecRuleEngine On
SecGeoLookupDB /nonexistent/GeoIP.dat
--EXPECT--
error-contains Could not open geo database "/nonexistent/GeoIP\.dat"
error-line 2
