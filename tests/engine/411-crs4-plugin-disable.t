# CRS 4 plugins: a plugin switches itself off with a TX variable set in its
# -config file and ctl:ruleRemoveById over its id range in -before; the
# CRS-wide defaults use "&TX:x @eq 0" so that the config file wins.
--CONF--
SecRuleEngine On
IncludeOptional @DIR@/plugins/*-config.conf
IncludeOptional @DIR@/plugins/*-before.conf
IncludeOptional @DIR@/plugins/*-after.conf
--FILE plugins/demo-plugin-config.conf--
SecAction "id:9502010,phase:1,pass,nolog,setvar:'tx.demo-plugin_enabled=0'"
--FILE plugins/demo-plugin-before.conf--
SecRule &TX:demo-plugin_enabled "@eq 0" "id:9502100,phase:1,pass,nolog,setvar:'tx.demo-plugin_enabled=1'"
SecRule TX:demo-plugin_enabled "@eq 0" "id:9502099,phase:1,pass,nolog,ctl:ruleRemoveById=9502200-9502999"
SecRule ARGS "@rx attack" "id:9502200,phase:2,deny,status:403,log,msg:'demo plugin'"
--FILE plugins/demo-plugin-after.conf--
SecRule ARGS "@rx attack" "id:9502900,phase:2,deny,status:406,log,msg:'demo plugin after'"
--REQUEST--
GET /?q=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
no-id 9502200
no-id 9502900
tx demo-plugin_enabled 0
