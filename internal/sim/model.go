package sim

import (
	"encoding/base32"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// Derived identifiers: stable for a scenario, so that golden files built on
// top of the server stay put.

func hash32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// token returns n upper-case base32 characters derived from seed.
func token(seed string, n int) string {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	var out strings.Builder
	for i := 0; out.Len() < n; i++ {
		h := fnv.New64a()
		h.Write([]byte(seed))
		h.Write([]byte{byte(i)})
		out.WriteString(enc.EncodeToString(h.Sum(nil)))
	}
	return out.String()[:n]
}

func userID(acct, name string) string { return "AIDA" + token(acct+"/user/"+name, 17) }

func userARN(acct, name string) string { return "arn:aws:iam::" + acct + ":user/" + name }

func rootARN(acct string) string { return "arn:aws:iam::" + acct + ":root" }

// keyID is an access key's ID: the scenario's or a derived AKIA… ID.
func keyID(k AccessKey, acct, owner string, i int) string {
	if k.ID != "" {
		return k.ID
	}
	return "AKIA" + token(acct+"/key/"+owner+"/"+strconv.Itoa(i), 16)
}

func certID(c Certificate, acct string, i int) string {
	if c.ID != "" {
		return c.ID
	}
	return token(acct+"/cert/"+strconv.Itoa(i), 28)
}

// serial is an MFA device's serial number. owner is "root" or a user name.
func serial(d MFADevice, acct, owner string) string {
	if d.Serial != "" {
		return d.Serial
	}
	switch d.Type {
	case "virtual":
		return "arn:aws:iam::" + acct + ":mfa/" + d.Name
	case "fido":
		p := "u2f/root/"
		if owner != "root" {
			p = "u2f/user/" + owner + "/"
		}
		return "arn:aws:iam::" + acct + ":" + p + d.Name + "-" + token(acct+owner+d.Name, 26)
	default:
		return d.Name
	}
}

func status(s string) string {
	if s == "" {
		return "Active"
	}
	return s
}

// dateOr resolves d, or def when d is unset.
func dateOr(d Date, now time.Time, def time.Duration) time.Time {
	if t, ok := d.At(now); ok {
		return t
	}
	return now.Add(-def).UTC().Truncate(24 * time.Hour)
}

// rootCreated is when the account (and its root user) was created.
func rootCreated(a *account, now time.Time) time.Time {
	if t, ok := a.Root.Created.At(now); ok {
		return t
	}
	return dateOr(a.JoinedAt, now, 3*365*24*time.Hour)
}

func timePtr(t time.Time, ok bool) *time.Time {
	if !ok {
		return nil
	}
	return &t
}
