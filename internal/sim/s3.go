package sim

import (
	"bytes"
	"encoding/xml"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// S3 (restXml): ListBuckets and the bucket policy of the caller's buckets.
// The bucket is the first path segment (path-style, as the SDK addresses an
// IP endpoint) or the first label of a *.localhost host (virtual-hosted
// style). GetBucketPolicy answers the policy document itself; errors are
// S3's <Error> documents.

func s3Service() *service {
	return &service{
		name:  "s3",
		proto: s3Protocol{},
		xmlns: "http://s3.amazonaws.com/doc/2006-03-01/",
		ops: map[string]*operation{
			"ListBuckets":        {handle: s3ListBuckets, action: "s3:ListAllMyBuckets"},
			"GetBucketPolicy":    {handle: s3GetBucketPolicy},
			"PutBucketPolicy":    {write: true, handle: s3PutBucketPolicy},
			"DeleteBucketPolicy": {write: true, handle: s3DeleteBucketPolicy},
		},
	}
}

// s3Protocol is restXml as S3 speaks it.
type s3Protocol struct{}

func (s3Protocol) parse(_ *service, r *request) error {
	bucket, rest, _ := strings.Cut(strings.TrimPrefix(r.hr.URL.Path, "/"), "/")
	host := r.hr.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if b, ok := strings.CutSuffix(host, ".localhost"); ok {
		bucket, rest = b, strings.TrimPrefix(r.hr.URL.Path, "/")
	}
	_, policy := r.hr.URL.Query()["policy"]
	switch {
	case bucket == "" && r.hr.Method == http.MethodGet:
		r.op = "ListBuckets"
	case bucket != "" && rest == "" && policy:
		r.op = map[string]string{http.MethodGet: "GetBucketPolicy", http.MethodPut: "PutBucketPolicy", http.MethodDelete: "DeleteBucketPolicy"}[r.hr.Method]
	}
	if r.op == "" {
		return errf("NotImplemented", http.StatusNotImplemented, "%s %s is not served by this endpoint", r.hr.Method, r.hr.URL.Path)
	}
	r.labels = map[string]string{"Bucket": bucket}
	return nil
}

// rawJSON is an answer written as it is (GetBucketPolicy's document).
type rawJSON string

func (s3Protocol) writeResult(w http.ResponseWriter, r *request, out any) {
	switch v := out.(type) {
	case nil:
		w.WriteHeader(http.StatusNoContent)
	case rawJSON:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(v)))
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(v))
	default:
		var b bytes.Buffer
		b.WriteString(xml.Header)
		if err := xml.NewEncoder(&b).Encode(out); err != nil {
			s3Protocol{}.writeError(w, r, errf("InternalError", http.StatusInternalServerError, "encode %s result: %v", r.op, err))
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
		w.WriteHeader(http.StatusOK)
		w.Write(b.Bytes())
	}
}

type s3Error struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string   `xml:"Code"`
	Message    string   `xml:"Message"`
	BucketName string   `xml:"BucketName,omitempty"`
	RequestID  string   `xml:"RequestId"`
	HostID     string   `xml:"HostId"`
}

func (s3Protocol) writeError(w http.ResponseWriter, r *request, e *apiError) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	xml.NewEncoder(&b).Encode(s3Error{Code: e.Code, Message: e.Message, BucketName: r.labels["Bucket"], RequestID: r.reqID, HostID: hexID(r.reqID, 32)})
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.Header().Set("X-Amz-Request-Id", r.reqID)
	w.WriteHeader(e.Status)
	w.Write(b.Bytes())
}

type s3Bucket struct {
	Name         string    `xml:"Name"`
	CreationDate time.Time `xml:"CreationDate"`
	BucketRegion string    `xml:"BucketRegion"`
}

type listBucketsResult struct {
	XMLName xml.Name   `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	OwnerID string     `xml:"Owner>ID"`
	Buckets []s3Bucket `xml:"Buckets>Bucket"`
}

func s3ListBuckets(r *request) (any, error) {
	a := r.account()
	out := listBucketsResult{OwnerID: hexID("s3-owner/"+a.ID, 64), Buckets: []s3Bucket{}}
	for _, b := range a.Buckets {
		created, ok := b.Created.At(r.now)
		if !ok {
			created = r.now.Truncate(time.Second)
		}
		out.Buckets = append(out.Buckets, s3Bucket{Name: b.Name, CreationDate: created, BucketRegion: r.srv.w.regionOr(b.Region)})
	}
	return out, nil
}

// bucket finds the call's bucket and decides access to it.
func bucket(r *request) (*Bucket, error) {
	name := r.labels["Bucket"]
	for _, a := range r.srv.w.order {
		for i := range a.Buckets {
			if b := &a.Buckets[i]; b.Name == name {
				return b, resourceAccess(r, a.ID, b.Policy, r.action(), "arn:aws:s3:::"+name)
			}
		}
	}
	return nil, errf("NoSuchBucket", http.StatusNotFound, "The specified bucket does not exist")
}

func s3GetBucketPolicy(r *request) (any, error) {
	b, err := bucket(r)
	if err != nil {
		return nil, err
	}
	if b.Policy == "" {
		return nil, errf("NoSuchBucketPolicy", http.StatusNotFound, "The bucket policy does not exist")
	}
	return rawJSON(b.Policy), nil
}

func s3PutBucketPolicy(r *request) (any, error) {
	b, err := bucket(r)
	if err != nil {
		return nil, err
	}
	if err := checkResourcePolicy(r.body); err != nil {
		return nil, errf("MalformedPolicy", http.StatusBadRequest, "Policies must be valid JSON and the first byte must be '{': %v", err)
	}
	b.Policy = PolicyDocument(r.body)
	return nil, nil
}

func s3DeleteBucketPolicy(r *request) (any, error) {
	b, err := bucket(r)
	if err != nil {
		return nil, err
	}
	b.Policy = ""
	return nil, nil
}
