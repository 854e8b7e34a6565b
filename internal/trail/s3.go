package trail

import (
	"context"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ObjectStore is the part of the S3 API the scanner uses; *s3.Client
// satisfies it.
type ObjectStore interface {
	s3.ListObjectsV2APIClient
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// s3Input is one S3 object, fetched when opened and streamed.
type s3Input struct {
	store       ObjectStore
	bucket, key string
}

func (o s3Input) Name() string { return "s3://" + o.bucket + "/" + o.key }

func (o s3Input) Open(ctx context.Context) (io.ReadCloser, error) {
	out, err := o.store.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(o.key)})
	if err != nil {
		return nil, fmt.Errorf("get object: %w", err)
	}
	return out.Body, nil
}

// parseS3URL splits s3://bucket/prefix.
func parseS3URL(u string) (bucket, prefix string, err error) {
	rest := strings.TrimPrefix(u, "s3://")
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("no bucket name")
	}
	return bucket, prefix, nil
}

// listS3 lists the objects under an s3:// URL. With a time window it walks
// the folder levels with a "/" delimiter and prunes CloudTrail date folders
// outside the window before listing them; a folder whose date is fully
// known (YYYY/MM/DD) is then listed flat. Digest folders are never listed.
func listS3(ctx context.Context, store ObjectStore, u string, w Window) iter.Seq[Item] {
	return func(yield func(Item) bool) {
		bucket, prefix, err := parseS3URL(u)
		if err != nil {
			yield(Item{Fail: &Problem{Input: u, Reason: err.Error()}})
			return
		}
		l := &s3Lister{ctx: ctx, store: store, bucket: bucket, w: w, yield: yield}
		if !l.walk(prefix) {
			return
		}
		if l.pruned > 0 {
			yield(Item{Skip: &Problem{Input: u, Reason: fmt.Sprintf("%d date folders or objects outside --since/--until, never listed or fetched", l.pruned)}})
		}
	}
}

type s3Lister struct {
	ctx    context.Context
	store  ObjectStore
	bucket string
	w      Window
	yield  func(Item) bool
	pruned int
}

func (l *s3Lister) walk(prefix string) bool {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(l.bucket), Prefix: aws.String(prefix)}
	// Below a day folder there is nothing left to prune: list flat.
	if l.w.Bounded() && strings.Count(datePart(prefix), "/") < 3 {
		in.Delimiter = aws.String("/")
	}
	p := s3.NewListObjectsV2Paginator(l.store, in)
	for p.HasMorePages() {
		page, err := p.NextPage(l.ctx)
		if err != nil {
			return l.yield(Item{Fail: &Problem{Input: "s3://" + l.bucket + "/" + prefix, Reason: fmt.Sprintf("list objects: %v", err)}})
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if strings.HasSuffix(key, "/") || isDigest(key) {
				continue
			}
			if l.w.outside(key) {
				l.pruned++
				continue
			}
			if !l.yield(Item{Input: s3Input{store: l.store, bucket: l.bucket, key: key}}) {
				return false
			}
		}
		for _, cp := range page.CommonPrefixes {
			sub := aws.ToString(cp.Prefix)
			if isDigest(sub) {
				continue
			}
			if l.w.outside(sub) {
				l.pruned++
				continue
			}
			if !l.walk(sub) {
				return false
			}
		}
	}
	return true
}

// datePart returns what follows ".../CloudTrail/<region>/" in p, or "".
func datePart(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if (s == "CloudTrail" || s == "CloudTrail-Insight") && i+2 <= len(segs) {
			return strings.Join(segs[min(i+2, len(segs)):], "/")
		}
	}
	return ""
}
