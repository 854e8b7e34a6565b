package report

import (
	_ "embed"
	"encoding/json"
	"io"
)

//go:embed schema/findings-v1.json
var jsonSchema []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of the json format.
func JSONSchema() []byte { return append([]byte(nil), jsonSchema...) }

// writeJSON writes v (the report, or the asff and ocsf arrays) as one
// indented JSON document. encoding/json sorts map keys, so evidence comes
// out in a stable order.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
