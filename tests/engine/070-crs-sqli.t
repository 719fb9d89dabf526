# OWASP CRS 3.3.4 as installed, paranoia level 1, anomaly scoring: a SQL
# injection is detected by 942100 (libinjection) and blocked in phase 2 by
# 949110.
--REQUIRES--
/usr/share/modsecurity-crs/rules
/etc/modsecurity/crs/crs-setup.conf
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecResponseBodyAccess Off
Include @CRS_SETUP@
Include @CRS_RULES@/*.conf
--REQUEST--
GET /products.php?id=1%27%20OR%20%271%27%3D%271 HTTP/1.1
Host: localhost
User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0
Accept: text/html

--EXPECT--
intercepted 1
status 403
phase 2
rule-id 949110
id 942100
id 949110
log-contains \[id "942100"\] \[msg "SQL Injection Attack Detected via libinjection"\] \[data "Matched Data: s&sos found within ARGS:id: 1' OR '1'='1"\]
log-contains Access denied with code 403 \(phase 2\)\. Operator GE matched 5 at TX:anomaly_score\. .*\[id "949110"\] \[msg "Inbound Anomaly Score Exceeded \(Total Score: \d+\)"\]
tx inbound_anomaly_score_threshold 5
