package sim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// rpcv2CBORProtocol is Smithy RPC v2 CBOR, which the SDK's CloudWatch
// client speaks: POST /service/<Service>/operation/<Operation> with a CBOR
// body and the Smithy-Protocol: rpc-v2-cbor header. Errors carry __type
// and message in the CBOR body; CloudWatch is awsQueryCompatible, so the
// query-era code also goes in X-Amzn-Query-Error ("Code;Sender").
type rpcv2CBORProtocol struct{}

var protoCBOR protocol = rpcv2CBORProtocol{}

func (rpcv2CBORProtocol) parse(svc *service, r *request) error {
	rest, ok := strings.CutPrefix(r.hr.URL.Path, "/service/"+svc.target+"/operation/")
	if !ok || rest == "" || strings.Contains(rest, "/") || r.hr.Method != http.MethodPost {
		return errf("UnknownOperationException", http.StatusNotFound, "no %s operation at %s %s", svc.name, r.hr.Method, r.hr.URL.Path)
	}
	if r.hr.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" {
		return errf("ValidationError", http.StatusBadRequest, "Smithy-Protocol header %q: want rpc-v2-cbor", r.hr.Header.Get("Smithy-Protocol"))
	}
	r.op = rest
	r.cbor = cbor.Map{}
	if len(r.body) == 0 {
		return nil
	}
	v, err := cbor.Decode(r.body)
	if err != nil {
		return errf("SerializationException", http.StatusBadRequest, "request body for %s is not CBOR: %v", rest, err)
	}
	m, ok := v.(cbor.Map)
	if !ok {
		return errf("SerializationException", http.StatusBadRequest, "request body for %s is not a CBOR map", rest)
	}
	r.cbor = m
	return nil
}

func (rpcv2CBORProtocol) writeResult(w http.ResponseWriter, r *request, out any) {
	v, ok := out.(cbor.Value)
	if !ok || v == nil {
		v = cbor.Map{}
	}
	writeCBOR(w, http.StatusOK, v)
}

func (rpcv2CBORProtocol) writeError(w http.ResponseWriter, r *request, e *apiError) {
	fault := "Sender"
	if e.Status >= 500 {
		fault = "Receiver"
	}
	w.Header().Set("X-Amzn-Query-Error", e.Code+";"+fault)
	ns := "com.amazonaws.cloudwatch"
	writeCBOR(w, e.Status, cbor.Map{"__type": cbor.String(ns + "#" + e.Code), "message": cbor.String(e.Message)})
}

func writeCBOR(w http.ResponseWriter, status int, v cbor.Value) {
	b := cbor.Encode(v)
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// cborInput checks a CBOR request's keys against the operation's members.
func cborInput(r *request, members ...string) (cborIn, error) {
	for k := range r.cbor {
		if !slices.Contains(members, k) {
			return nil, errf("ValidationError", http.StatusBadRequest, "request body for %s: unknown member %q", r.op, k)
		}
	}
	return cborIn(r.cbor), nil
}

// cborIn reads typed members of a CBOR input map.
type cborIn cbor.Map

func (m cborIn) str(k string) (string, error) {
	switch v := m[k].(type) {
	case nil, *cbor.Nil:
		return "", nil
	case cbor.String:
		return string(v), nil
	}
	return "", errf("SerializationException", http.StatusBadRequest, "member %s: want a string", k)
}

func (m cborIn) strs(k string) ([]string, error) {
	switch v := m[k].(type) {
	case nil, *cbor.Nil:
		return nil, nil
	case cbor.List:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(cbor.String)
			if !ok {
				return nil, errf("SerializationException", http.StatusBadRequest, "member %s: want a list of strings", k)
			}
			out = append(out, string(s))
		}
		return out, nil
	}
	return nil, errf("SerializationException", http.StatusBadRequest, "member %s: want a list", k)
}

func (m cborIn) int(k string) (int, error) {
	v, ok := m[k]
	if !ok {
		return 0, nil
	}
	n, err := cbor.AsInt32(v)
	if err != nil {
		return 0, errf("SerializationException", http.StatusBadRequest, "member %s: want an integer", k)
	}
	return int(n), nil
}

func cborStrings(ss []string) cbor.List {
	l := make(cbor.List, 0, len(ss))
	for _, s := range ss {
		l = append(l, cbor.String(s))
	}
	return l
}

// cborTime is a timestamp as RPC v2 CBOR writes it: tag 1, epoch seconds.
func cborTime(t time.Time) cbor.Value {
	return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1000)}
}
