package trailgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"
)

// GenerateOptions describe a synthetic CloudTrail archive.
type GenerateOptions struct {
	// Out is the folder the AWSLogs/ tree is written under.
	Out      string
	Accounts int
	Days     int
	// SizeMB is the approximate total size of the records, decompressed, in
	// MB (10^6 bytes).
	SizeMB float64
	Seed   uint64
	// Start is the first day (UTC); zero means 2025-03-03.
	Start time.Time
	// MinFileBytes and MaxFileBytes bound the decompressed size of one file;
	// zero means 1 MB and 5 MB, the size of real CloudTrail deliveries of a
	// busy account.
	MinFileBytes, MaxFileBytes int
	// LargeShare is the share of ordinary records that are large (EC2
	// RunInstances with its full response, 4–9 kB; the others are 0.6–2 kB);
	// zero means DefaultLargeShare.
	LargeShare float64
	// Noise is how many random base64 characters each ordinary record
	// carries (an S3-style request token in additionalEventData): they do
	// not compress, so more noise lowers the compression ratio.
	Noise int
}

// DefaultLargeShare is the share of large records when none is given.
const DefaultLargeShare = 1.0 / 16

// Preset is a named archive shape for trail generate and trail bench.
type Preset struct {
	Name, Doc                  string
	MinFileBytes, MaxFileBytes int
	LargeShare                 float64
	Noise                      int
}

// Presets are the two shapes the throughput is measured on: the default
// mix, and an archive of smaller, less compressible records.
var Presets = []Preset{
	{Name: "mixed", Doc: "files of 1–5 MB, 1 in 16 records a large RunInstances, about 1.6 kB per record, 8:1 compression",
		MinFileBytes: 1_000_000, MaxFileBytes: 5_000_000, LargeShare: DefaultLargeShare},
	{Name: "small", Doc: "files of 1–3 MB, 1 in 1000 records large, a 60-character request token in each, about 1.5 kB per record, 6.7:1 compression",
		MinFileBytes: 1_000_000, MaxFileBytes: 3_000_000, LargeShare: 0.001, Noise: 60},
}

// LookupPreset returns the preset called name.
func LookupPreset(name string) (Preset, bool) {
	for _, p := range Presets {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// Apply sets the shape of o to the preset's.
func (p Preset) Apply(o *GenerateOptions) {
	o.MinFileBytes, o.MaxFileBytes, o.LargeShare, o.Noise = p.MinFileBytes, p.MaxFileBytes, p.LargeShare, p.Noise
}

// GenerateResult counts what was written.
type GenerateResult struct {
	Files      int            `json:"files"`
	Records    int64          `json:"records"`
	Bytes      int64          `json:"bytes"`
	Compressed int64          `json:"compressed"`
	Root       map[string]int `json:"root"`   // root-related records by kind
	Decoys     map[string]int `json:"decoys"` // look-alikes that must not alert
}

// Root record kinds the generator plants.
const (
	kindLoginMFA        = "console-login-mfa"
	kindLoginNoMFA      = "console-login-no-mfa"
	kindLoginFailed     = "console-login-failed"
	kindBruteForce      = "console-login-failed-burst"
	kindAPICall         = "api-call"
	kindCreateKey       = "create-access-key"
	kindMFAChange       = "mfa-change"
	kindPassword        = "password-updated"
	kindRecovery        = "password-recovery"
	kindServiceInvoked  = "api-call-invoked-by-service"
	kindAssumeRootCall  = "assume-root-call"
	kindAssumeRootUsage = "assume-root-session"

	decoyUserRoot   = "iam-user-named-root"
	decoyUserAdmin  = "iam-user-root-admin"
	decoyRoleRoot   = "role-with-root-in-name"
	decoyOrgRoot    = "organizations-root-value"
	decoyParamValue = "request-parameter-root"
)

var genRegions = []string{"us-east-1", "us-east-1", "us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"}

type filePlan struct {
	account string
	region  string
	at      time.Time // delivery time; records are in the 5 minutes before
	size    int
	seed    uint64
	extra   [][]byte // planted records (already encoded)
	root    map[string]int
	name    string
}

// Generate writes a deterministic synthetic archive in the S3 layout of
// CloudTrail: AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz.
func Generate(ctx context.Context, opt GenerateOptions) (GenerateResult, error) {
	if opt.Accounts < 1 || opt.Days < 1 || opt.SizeMB <= 0 {
		return GenerateResult{}, fmt.Errorf("generate: accounts, days and size must be positive")
	}
	if opt.Start.IsZero() {
		opt.Start = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	}
	if opt.MinFileBytes <= 0 {
		opt.MinFileBytes = 1_000_000
	}
	if opt.MaxFileBytes < opt.MinFileBytes {
		opt.MaxFileBytes = max(5_000_000, opt.MinFileBytes)
	}
	if opt.LargeShare <= 0 {
		opt.LargeShare = DefaultLargeShare
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x7261696c))
	accounts := make([]string, opt.Accounts)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("%012d", 100000000000+rng.Int64N(899999999999))
	}

	// Plan the files.
	total := int(opt.SizeMB * 1e6)
	var plans []*filePlan
	for sum := 0; sum < total; {
		size := opt.MinFileBytes + rng.IntN(opt.MaxFileBytes-opt.MinFileBytes+1)
		day := rng.IntN(opt.Days)
		plans = append(plans, &filePlan{
			account: accounts[rng.IntN(len(accounts))],
			region:  genRegions[rng.IntN(len(genRegions))],
			at:      opt.Start.AddDate(0, 0, day).Add(time.Duration(5+rng.IntN(86400-5)) * time.Second).Truncate(time.Minute),
			size:    size,
			root:    map[string]int{},
		})
		sum += size
	}
	sort.SliceStable(plans, func(i, j int) bool {
		a, b := plans[i], plans[j]
		if a.account != b.account {
			return a.account < b.account
		}
		if a.region != b.region {
			return a.region < b.region
		}
		return a.at.Before(b.at)
	})
	for i, p := range plans {
		p.seed = rng.Uint64()
		p.name = filepath.Join("AWSLogs", p.account, "CloudTrail", p.region, p.at.Format("2006/01/02"),
			fmt.Sprintf("%s_CloudTrail_%s_%sZ_%s.json.gz", p.account, p.region, p.at.Format("20060102T1504"), randomID(rng, 16)))
		_ = i
	}
	plant(rng, plans, accounts)

	res := GenerateResult{Files: len(plans), Root: map[string]int{}, Decoys: map[string]int{}}
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, p := range plans {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			st, err := writeFile(opt, p)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			res.Records += st.records
			res.Bytes += st.bytes
			res.Compressed += st.compressed
			for k, n := range st.root {
				res.Root[k] += n
			}
			for k, n := range st.decoys {
				res.Decoys[k] += n
			}
			return nil
		})
	}
	return res, g.Wait()
}

// plant adds the root activity that spans records: a burst of failed root
// sign-ins, and AssumeRoot calls with the sessions they opened.
func plant(rng *rand.Rand, plans []*filePlan, accounts []string) {
	byAccount := func(acct string) []*filePlan {
		var out []*filePlan
		for _, p := range plans {
			if p.account == acct {
				out = append(out, p)
			}
		}
		if len(out) == 0 {
			out = plans
		}
		return out
	}
	// A brute-force burst: 8 failures a minute apart in one account.
	target := accounts[min(1, len(accounts)-1)]
	fs := byAccount(target)
	p := fs[rng.IntN(len(fs))]
	g := &gen{rng: rng, account: p.account, region: p.region}
	for i := range 8 {
		t := p.at.Add(-5*time.Minute + time.Duration(i)*20*time.Second)
		p.extra = append(p.extra, g.rootConsoleLogin(t, false, true))
	}
	p.root[kindBruteForce] += 8

	if len(accounts) < 2 {
		return
	}
	// AssumeRoot from the management account (the first) into members.
	mgmt := byAccount(accounts[0])
	policies := []string{"IAMAuditRootUserCredentials", "IAMDeleteRootUserCredentials", "S3UnlockBucketPolicy"}
	for i := range 3 {
		member := accounts[1+i%(len(accounts)-1)]
		cp := mgmt[rng.IntN(len(mgmt))]
		key := "ASIA" + randomID(rng, 16)
		cg := &gen{rng: rng, account: cp.account, region: cp.region}
		cp.extra = append(cp.extra, cg.assumeRoot(cp.at.Add(-4*time.Minute), member, policies[i], key))
		cp.root[kindAssumeRootCall]++

		ms := byAccount(member)
		sp := ms[rng.IntN(len(ms))]
		sg := &gen{rng: rng, account: member, region: sp.region}
		for j := range 3 {
			sp.extra = append(sp.extra, sg.assumedRootSession(sp.at.Add(-3*time.Minute+time.Duration(j)*time.Second), policies[i], key))
			sp.root[kindAssumeRootUsage]++
		}
	}
}

type fileStats struct {
	records, bytes, compressed int64
	root, decoys               map[string]int
}

// writeFile renders and writes one planned file.
func writeFile(opt GenerateOptions, p *filePlan) (fileStats, error) {
	st := fileStats{root: maps(p.root), decoys: map[string]int{}}
	rng := rand.New(rand.NewPCG(p.seed, 0x67656e))
	g := &gen{rng: rng, account: p.account, region: p.region, large: opt.LargeShare, noise: opt.Noise}
	recs := make([][]byte, 0, p.size/1500+len(p.extra))
	size := 0
	for size < p.size {
		t := p.at.Add(-5 * time.Minute).Add(time.Duration(rng.IntN(300_000)) * time.Millisecond)
		rec, kind, decoy := g.record(t)
		if kind != "" {
			st.root[kind]++
		}
		if decoy != "" {
			st.decoys[decoy]++
		}
		recs = append(recs, rec)
		size += len(rec) + 1
	}
	for _, e := range p.extra {
		// Planted records go at a random place, keeping the file roughly in
		// time order is not needed (CloudTrail files are not sorted either).
		i := rng.IntN(len(recs) + 1)
		recs = slices.Insert(recs, i, e)
	}
	path := filepath.Join(opt.Out, p.name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return st, err
	}
	f, err := os.Create(path)
	if err != nil {
		return st, err
	}
	cw := &countWriter{w: f}
	zw, _ := gzip.NewWriterLevel(cw, gzip.DefaultCompression)
	buf := make([]byte, 0, 1<<20)
	buf = append(buf, `{"Records":[`...)
	for i, r := range recs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, r...)
		if len(buf) > 1<<19 {
			if _, err := zw.Write(buf); err != nil {
				f.Close()
				return st, err
			}
			st.bytes += int64(len(buf))
			buf = buf[:0]
		}
	}
	buf = append(buf, "]}"...)
	st.bytes += int64(len(buf))
	if _, err := zw.Write(buf); err != nil {
		f.Close()
		return st, err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return st, err
	}
	if err := f.Close(); err != nil {
		return st, err
	}
	st.records = int64(len(recs))
	st.compressed = cw.n
	return st, nil
}

func maps(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

type countWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomID(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[rng.IntN(len(alnum))]
	}
	return string(b)
}
