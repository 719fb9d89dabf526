# @inspectFile SCRIPT.lua runs main(path) for each uploaded file
# (FILES_TMPNAMES): a returned string is a match and its message, as in
# 2.9; nil approves the file.  The script is relative to the rule's file.
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecTmpDir @DIR@/data
SecUploadDir @DIR@/data
SecTmpSaveUploadedFiles On
SecRule FILES_TMPNAMES "@inspectFile inspect.lua" "id:5071,phase:2,deny,msg:'bad upload'"
--FILE inspect.lua--
function main(path)
    local f = io.open(path, "rb")
    if f == nil then return "cannot open the upload" end
    local data = f:read("*a")
    f:close()
    if string.find(data, "EICAR-TEST", 1, true) then
        return "Virus found in upload of " .. string.len(data) .. " bytes"
    end
    return nil
end
--REQUEST--
POST /upload HTTP/1.1
Host: localhost
Content-Type: multipart/form-data; boundary=XyZ

--XyZ
Content-Disposition: form-data; name="note"

hello
--XyZ
Content-Disposition: form-data; name="upload"; filename="clean.txt"
Content-Type: text/plain

just text
--XyZ--
--EXPECT--
intercepted 0
log-count 0
--REQUEST--
POST /upload HTTP/1.1
Host: localhost
Content-Type: multipart/form-data; boundary=XyZ

--XyZ
Content-Disposition: form-data; name="upload"; filename="clean.txt"
Content-Type: text/plain

just text
--XyZ
Content-Disposition: form-data; name="virus"; filename="eicar.com"
Content-Type: application/octet-stream

X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-TEST-FILE!
--XyZ--
--EXPECT--
intercepted 1
status 403
rule-id 5071
log-contains ^ModSecurity: Access denied with code 403 \(phase 2\)\. Virus found in upload of 44 bytes \[file "[^"]*/main\.conf"\] \[line "6"\] \[id "5071"\] \[msg "bad upload"\]
