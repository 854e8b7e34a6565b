package store

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzRedact: the name a PostgreSQL DSN is shown by in messages is one
// line and never holds the password, whatever the rest of the DSN holds;
// scrub removes the password from a driver's error too.
func FuzzRedact(f *testing.F) {
	f.Add("rg", "s3cretpw", "db.example.com:5432", "rootguard?sslmode=require")
	f.Add("u", "p@ss/word?", "[::1]:5432", "x#frag")
	f.Add("", "longpassword", "h\nost", "d b")
	f.Fuzz(func(t *testing.T, user, pass, host, rest string) {
		dsn := "postgres://" + url.UserPassword(user, pass).String() + "@" + host + "/" + rest
		got := redact(dsn)
		if strings.ContainsAny(got, "\r\n") && !strings.ContainsAny(host+rest, "\r\n") {
			t.Errorf("redact(%q) = %q spans lines", dsn, got)
		}
		visible := strings.Contains("postgres://", pass) || strings.Contains(host+"/"+rest, pass) || strings.Contains(url.PathEscape(host+"/"+rest), pass)
		if len(pass) >= 4 && !visible && strings.Contains(got, pass) {
			t.Errorf("redact(%q) = %q shows the password", dsn, got)
		}
		msg := scrub(errors.New("failed: "+pass+"\n"+host), pass)
		if strings.Contains(msg, "\n") {
			t.Errorf("scrub gave %q: not one line", msg)
		}
		if len(pass) >= 4 && !strings.Contains("failed: ********"+host, pass) && strings.Contains(msg, pass) {
			t.Errorf("scrub kept the password: %q", msg)
		}
	})
}
