# OWASP CRS 3.3.4: an ordinary request passes without any log line.
--REQUIRES--
/usr/share/modsecurity-crs/rules
/etc/modsecurity/crs/crs-setup.conf
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
Include @CRS_SETUP@
Include @CRS_RULES@/*.conf
--REQUEST--
GET /index.html?page=2&sort=name HTTP/1.1
Host: localhost
User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0
Accept: text/html

--EXPECT--
intercepted 0
status 200
no-log-contains \[id "
tx anomaly_score 0
