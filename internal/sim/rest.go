package sim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// REST protocols with HTTP bindings: the operation is found from the
// method and path (routes such as GET /detector/{DetectorId}); labels and
// the query string carry the input. restJson1 (GuardDuty) answers JSON and
// names errors in X-Amzn-ErrorType; restXml (Route 53) answers
// <OperationResponse> documents and <ErrorResponse> errors.

// route binds an HTTP method and path pattern to an operation.
type route struct {
	method  string
	pattern string // segments; {Name} is a label
	op      string
}

var (
	protoRESTRoutes protocol = restRoutesJSON{}
	protoRESTXML    protocol = restXMLProtocol{}
)

// match finds the request's route and fills r.labels.
func matchRoute(svc *service, r *request) error {
	path := strings.Trim(r.hr.URL.Path, "/")
	segs := strings.Split(path, "/")
	for _, rt := range svc.routes {
		if rt.method != r.hr.Method {
			continue
		}
		ps := strings.Split(strings.Trim(rt.pattern, "/"), "/")
		if len(ps) != len(segs) {
			continue
		}
		labels := map[string]string{}
		ok := true
		for i, p := range ps {
			if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
				if segs[i] == "" {
					ok = false
					break
				}
				labels[p[1:len(p)-1]] = segs[i]
			} else if p != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			r.op, r.labels = rt.op, labels
			return nil
		}
	}
	return errf("UnknownOperationException", http.StatusNotFound, "no %s operation at %s %s", svc.name, r.hr.Method, r.hr.URL.Path)
}

// query returns a query string parameter.
func (r *request) query(name string) string { return r.hr.URL.Query().Get(name) }

// queryInt reads an optional integer query parameter.
func (r *request) queryInt(name, code string) (int, error) {
	v := r.query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errf(code, http.StatusBadRequest, "%s %q is not a number", name, v)
	}
	return n, nil
}

// restRoutesJSON is restJson1 with HTTP-bound routes.
type restRoutesJSON struct{}

func (restRoutesJSON) parse(svc *service, r *request) error { return matchRoute(svc, r) }

func (restRoutesJSON) writeResult(w http.ResponseWriter, r *request, out any) {
	writeJSON(w, "application/json", http.StatusOK, out)
}

func (restRoutesJSON) writeError(w http.ResponseWriter, r *request, e *apiError) {
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	writeJSON(w, "application/json", e.Status, map[string]string{"__type": e.Code, "message": e.Message})
}

// restXMLProtocol is restXml with HTTP-bound routes.
type restXMLProtocol struct{}

func (restXMLProtocol) parse(svc *service, r *request) error { return matchRoute(svc, r) }

func (restXMLProtocol) writeResult(w http.ResponseWriter, r *request, out any) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	start := xml.StartElement{
		Name: xml.Name{Local: r.op + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: r.svc.xmlns}},
	}
	if out == nil {
		out = struct{}{}
	}
	if err := xml.NewEncoder(&b).EncodeElement(out, start); err != nil {
		restXMLProtocol{}.writeError(w, r, errf("InternalFailure", 0, "encode %s result: %v", r.op, err))
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

func (restXMLProtocol) writeError(w http.ResponseWriter, r *request, e *apiError) {
	queryProtocol{}.writeError(w, r, e)
}

// hexID is a stable lower-case hexadecimal ID of n digits.
func hexID(seed string, n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%08x", hash32(seed+"/"+strconv.Itoa(i)))
	}
	return b.String()[:n]
}
