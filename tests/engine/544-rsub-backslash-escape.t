# 2.9 decodes @rsub's replacement like an @pm phrase, which knows only the
# escapes \: \; \\ \": a plain \1 stops the configuration.
--CONF--
SecRuleEngine On
SecRule STREAM_OUTPUT_BODY "@rsub s/(a)/<\1>/" "id:5241,phase:4,pass"
--EXPECT--
error-contains Error rsub operator parsing input data
error-line 2
