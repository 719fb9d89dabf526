# CRS 4 plugins: IncludeOptional of plugins/*-config.conf, *-before.conf
# before the rules and *-after.conf after them (relative to the main
# configuration's directory here, to ServerRoot in httpd), each pattern
# read in name order; the "empty" files CRS 4 ships match too.
--CONF--
SecRuleEngine On
IncludeOptional plugins/*-config.conf
IncludeOptional plugins/*-before.conf
Include rules/*.conf
IncludeOptional plugins/*-after.conf
--FILE plugins/empty-config.conf--
# placeholder shipped by CRS 4
--FILE plugins/empty-before.conf--
# placeholder shipped by CRS 4
--FILE plugins/empty-after.conf--
# placeholder shipped by CRS 4
--FILE plugins/alpha-plugin-config.conf--
SecAction "id:9500010,phase:1,pass,nolog,setvar:'tx.trace=config-a'"
--FILE plugins/beta-plugin-config.conf--
SecAction "id:9501010,phase:1,pass,nolog,setvar:'tx.trace=%{tx.trace},config-b'"
--FILE plugins/alpha-plugin-before.conf--
SecAction "id:9500100,phase:1,pass,nolog,setvar:'tx.trace=%{tx.trace},before-a'"
--FILE plugins/beta-plugin-before.conf--
SecAction "id:9501100,phase:1,pass,nolog,setvar:'tx.trace=%{tx.trace},before-b'"
--FILE rules/REQUEST-901-INITIALIZATION.conf--
SecAction "id:901001,phase:1,pass,nolog,setvar:'tx.trace=%{tx.trace},rules'"
--FILE plugins/alpha-plugin-after.conf--
SecAction "id:9500900,phase:1,pass,nolog,setvar:'tx.trace=%{tx.trace},after-a'"
--REQUEST--
GET / HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
tx trace config-a,config-b,before-a,before-b,rules,after-a
