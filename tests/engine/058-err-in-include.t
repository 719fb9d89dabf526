# An error in an included file is reported at that file's line.
--CONF--
SecRuleEngine On
Include @DIR@/conf.d/*.conf
--FILE conf.d/10-good.conf--
SecRule ARGS "@rx x" "id:5801,phase:2,deny"
--FILE conf.d/20-bad.conf--
# comment

SecRule ARGS "@rx x" "id:5802,phase:2,bogus"
--EXPECT--
error-contains 20-bad\.conf:3: .*Unknown action: bogus
