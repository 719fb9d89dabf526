# @geoLookup on Debian's legacy GeoIP.dat (country edition): GEO is filled
# on success (11 variables), emptied when the next lookup finds nothing;
# the match text is the lookup's own "... succeeded.".
--REQUIRES--
/usr/share/GeoIP/GeoIP.dat
--CONF--
SecRuleEngine On
SecGeoLookupDB /usr/share/GeoIP/GeoIP.dat
SecRule ARGS:a "@geoLookup" "id:3011,phase:1,pass,log"
SecRule &GEO "@eq 11" "id:3012,phase:1,pass,log,msg:'geo full %{GEO.COUNTRY_CODE} %{GEO.country_code3} %{GEO.COUNTRY_NAME} %{GEO.COUNTRY_CONTINENT} [%{GEO.REGION}] %{GEO.LATITUDE} %{GEO.DMA_CODE}'"
SecRule ARGS:b "@geoLookup" "id:3013,phase:1,pass,nolog"
SecRule &GEO "@eq 0" "id:3014,phase:1,pass,log,msg:'geo empty'"
SecRule ARGS:b "!@geoLookup" "id:3015,phase:1,pass,log"
SecRule ARGS:a "@geoLookup" "id:3016,phase:1,pass,nolog,chain"
SecRule GEO "@rx ^(United States)$" "capture,setvar:tx.x=%{tx.1}"
--REQUEST--
GET /index.html?a=8.8.8.8&b=10.0.0.1 HTTP/1.1
Host: localhost

--EXPECT--
log-contains Warning\. Geo lookup for "8\.8\.8\.8" succeeded\. \[file .*\[id "3011"\]
log-contains \[id "3012"\] \[msg "geo full US USA United States NA \[\] 0\.000000 0"\]
id 3014
log-contains Warning\. Match of "geoLookup " against "ARGS:b" required\. .*\[id "3015"\]
tx x United States
