// Package jsonstrict decodes rootguard's own JSON documents (snapshots,
// plans) strictly. RFC 8259 leaves the meaning of a duplicate object key
// undefined and encoding/json keeps the last one, matching field names
// without regard to case, so a document could show one value to a reader
// or a fingerprint and another to the program. Unmarshal refuses duplicate
// keys at any depth (keys that differ only in case count as duplicates),
// unknown fields and data after the document.
package jsonstrict

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Unmarshal decodes one JSON document into v, refusing duplicate keys,
// unknown fields and trailing data.
func Unmarshal(data []byte, v any) error {
	if err := CheckKeys(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the document")
	}
	return nil
}

// frame is one open object or array while walking the token stream.
type frame struct {
	object bool
	keys   map[string]bool // folded keys seen in this object
	key    bool            // the next token of this object is a key
	path   string
}

// CheckKeys walks data's token stream and reports the first object key that
// repeats another key of the same object (compared as encoding/json matches
// field names, ignoring case), naming its path. It does not check that data
// holds exactly one document; Unmarshal does.
func CheckKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*frame
	path := "$"
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if k, ok := tok.(string); ok && top != nil && top.object && top.key {
			f := fold(k)
			if top.keys[f] {
				return fmt.Errorf("duplicate key %q in %s", k, top.path)
			}
			top.keys[f] = true
			top.key = false
			path = top.path + "." + k
			continue
		}
		if top != nil && !top.object {
			path = top.path + "[]"
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, keys: map[string]bool{}, key: true, path: path})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{path: path})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				continue
			}
			top = stack[len(stack)-1]
		}
		if top != nil && top.object {
			top.key = true // a value ends; a key or '}' follows
		}
	}
}

// fold maps every rune to the smallest rune of its Unicode simple-folding
// orbit, so keys that encoding/json would match to the same field fold to
// the same string.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		lowest := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			lowest = min(lowest, f)
		}
		return lowest
	}, s)
}
