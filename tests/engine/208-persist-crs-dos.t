# OWASP CRS 3.3.4 DoS protection (901321 initcol ip/global, 912xxx
# counters with expirevar): with a threshold of 2 requests, the second
# burst (4th request) logs 912170 and sets IP:dos_block, the 5th request
# is dropped by 912120.
--REQUIRES--
/usr/share/modsecurity-crs/rules
/etc/modsecurity/crs/crs-setup.conf
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecDataDir @DIR@/data
Include @CRS_SETUP@
SecAction "id:900700,phase:1,nolog,pass,t:none,setvar:'tx.dos_burst_time_slice=60',setvar:'tx.dos_counter_threshold=2',setvar:'tx.dos_block_timeout=600'"
Include @CRS_RULES@/*.conf
--REQUEST--
GET /app.php?page=1 HTTP/1.1
Host: localhost
User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0
Accept: text/html

--EXPECT--
intercepted 0
no-log-contains \[id "
--REQUEST--
GET /app.php?page=2 HTTP/1.1
Host: localhost
User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0
Accept: text/html

--EXPECT--
intercepted 0
no-log-contains \[id "
--REQUEST--
GET /app.php?page=3 HTTP/1.1
Host: localhost
User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0
Accept: text/html

--EXPECT--
intercepted 0
no-log-contains \[id "
--REQUEST--
GET /app.php?page=4 HTTP/1.1
Host: localhost
User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0
Accept: text/html

--EXPECT--
intercepted 0
id 912170
log-contains Potential Denial of Service \(DoS\) Attack from 127.0.0.1 - # of Request Bursts: 2
--REQUEST--
GET /app.php?page=5 HTTP/1.1
Host: localhost
User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0
Accept: text/html

--EXPECT--
action drop
rule-id 912120
log-contains Denial of Service \(DoS\) attack identified from 127.0.0.1
