package custody

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
)

// Record kinds: what one stored row holds.
const (
	KindAccount = "account"
	KindPerson  = "person"
)

// Record is one stored row of a registry: an account's custody or a
// person, keyed by the account or person ID, with its JSON body.
type Record struct {
	Kind, Key, Body string
}

// Change is one record that differs between two registries: Before or
// After is "" when the record is absent on that side.
type Change struct {
	Kind, Key     string
	Before, After string
}

// Records returns the registry as stored rows, people first, each kind in
// key order.
func (r *Registry) Records() []Record {
	c := r.Clone()
	c.Normalize()
	out := make([]Record, 0, len(c.People)+len(c.Accounts))
	for _, p := range c.People {
		out = append(out, Record{KindPerson, p.ID, body(p)})
	}
	for _, a := range c.Accounts {
		out = append(out, Record{KindAccount, a.Account, body(a)})
	}
	return out
}

// body is v's JSON: struct fields in order, so the same value gives the
// same text (the store compares bodies to detect a concurrent change).
func body(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("custody: encode record: " + err.Error()) // plain structs of strings always encode
	}
	return string(b)
}

// FromRecords rebuilds and validates a registry from stored rows.
func FromRecords(rs []Record) (*Registry, error) {
	r := &Registry{Schema: Schema}
	for _, rec := range rs {
		var err error
		switch rec.Kind {
		case KindPerson:
			var p Person
			if err = json.Unmarshal([]byte(rec.Body), &p); err == nil {
				r.People = append(r.People, p)
			}
		case KindAccount:
			var a Account
			if err = json.Unmarshal([]byte(rec.Body), &a); err == nil {
				r.Accounts = append(r.Accounts, a)
			}
		default:
			err = fmt.Errorf("unknown kind")
		}
		if err != nil {
			return nil, fmt.Errorf("stored custody record %s %q: %w", rec.Kind, rec.Key, err)
		}
	}
	r.Normalize()
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("stored custody registry: %w", err)
	}
	return r, nil
}

// Diff returns the records that differ from before to after, in the
// order Records gives them.
func Diff(before, after *Registry) []Change {
	type key struct{ kind, key string }
	was := map[key]string{}
	var keys []key
	for _, rec := range before.Records() {
		k := key{rec.Kind, rec.Key}
		was[k] = rec.Body
		keys = append(keys, k)
	}
	now := map[key]string{}
	for _, rec := range after.Records() {
		k := key{rec.Kind, rec.Key}
		now[k] = rec.Body
		if _, ok := was[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(kindOrder(a.kind), kindOrder(b.kind)), cmp.Compare(a.key, b.key))
	})
	var out []Change
	for _, k := range keys {
		if was[k] != now[k] {
			out = append(out, Change{Kind: k.kind, Key: k.key, Before: was[k], After: now[k]})
		}
	}
	return out
}

func kindOrder(kind string) int {
	if kind == KindPerson {
		return 0
	}
	return 1
}
