# @geoLookup without SecGeoLookupDB: 2.9 logs at level 1 (error log) and
# does not match; GEO stays empty.
--CONF--
SecRuleEngine On
SecRule ARGS:ip "@geoLookup" "id:3001,phase:1,pass,log"
SecRule &GEO "@eq 0" "id:3002,phase:1,pass,log,msg:'geo empty'"
--REQUEST--
GET /index.html?ip=1.2.3.4 HTTP/1.1
Host: localhost

--EXPECT--
log-contains ^ModSecurity: Geo lookup for "1\.2\.3\.4" attempted without a database\.  Set SecGeoLookupDB\. \[hostname
no-id 3001
id 3002
