# A configuration check only.
--CONF--
SecRuleEngine DetectionOnly
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "text/xml" "id:6201,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecDefaultAction "phase:2,log,auditlog,pass"
SecMarker BEGIN
--EXPECT--
config-ok
