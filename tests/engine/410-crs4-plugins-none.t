# CRS 4 plugins: IncludeOptional patterns that match nothing -- an empty
# plugins directory, a missing one -- are not errors; Include would be.
--CONF--
SecRuleEngine On
IncludeOptional plugins/*-config.conf
IncludeOptional plugins/*-before.conf
IncludeOptional @DIR@/no-such-dir/*-before.conf
IncludeOptional @DIR@/no-such-file.conf
Include rules/*.conf
IncludeOptional plugins/*-after.conf
--FILE plugins/README.md--
No plugin installed.
--FILE rules/REQUEST-901-INITIALIZATION.conf--
SecAction "id:901001,phase:1,pass,nolog,setvar:'tx.rules=1'"
--REQUEST--
GET / HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
tx rules 1
