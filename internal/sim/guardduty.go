package sim

import (
	"net/http"
	"slices"
	"time"
)

// GuardDuty (restJson1): ListDetectors (GET /detector) and GetDetector
// (GET /detector/{DetectorId}). An account has a detector in each region
// its scenario lists, enabled or suspended.

func guardDutyService() *service {
	return &service{
		name:  "guardduty",
		proto: protoRESTRoutes,
		routes: []route{
			{method: http.MethodGet, pattern: "/detector", op: "ListDetectors"},
			{method: http.MethodGet, pattern: "/detector/{DetectorId}", op: "GetDetector"},
		},
		ops: map[string]*operation{
			"ListDetectors": {handle: gdListDetectors},
			"GetDetector":   {handle: gdGetDetector},
		},
	}
}

func detectorID(acct, region string) string { return hexID("guardduty/"+acct+"/"+region, 32) }

func gdListDetectors(r *request) (any, error) {
	max, err := r.queryInt("maxResults", "BadRequestException")
	if err != nil {
		return nil, err
	}
	a := r.account()
	var ids []string
	if _, ok := a.GuardDuty[r.region]; ok {
		ids = append(ids, detectorID(a.ID, r.region))
	}
	out, next, err := pageOr(ids, r.query("nextToken"), max, 50, "BadRequestException")
	if err != nil {
		return nil, err
	}
	return map[string]any{"detectorIds": out, "nextToken": optional(next)}, nil
}

func gdGetDetector(r *request) (any, error) {
	a := r.account()
	st, ok := a.GuardDuty[r.region]
	id := r.labels["DetectorId"]
	if !ok || id != detectorID(a.ID, r.region) {
		return nil, errf("BadRequestException", http.StatusBadRequest, "The request is rejected because the input detectorId is not owned by the current account.")
	}
	created := r.now.Add(-500 * 24 * time.Hour).Truncate(time.Second)
	return map[string]any{
		"createdAt":                  created.Format(time.RFC3339Nano),
		"updatedAt":                  created.Add(24 * time.Hour).Format(time.RFC3339Nano),
		"findingPublishingFrequency": "SIX_HOURS",
		"serviceRole":                "arn:aws:iam::" + a.ID + ":role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
		"status":                     st,
		"tags":                       map[string]string{},
	}, nil
}

// Route 53 (restXml): ListHostedZones (GET /2013-04-01/hostedzone) over
// the account's hosted zones. Route 53 is global: the region is ignored.

func route53Service() *service {
	return &service{
		name:  "route53",
		proto: protoRESTXML,
		xmlns: "https://route53.amazonaws.com/doc/2013-04-01/",
		routes: []route{
			{method: http.MethodGet, pattern: "/2013-04-01/hostedzone", op: "ListHostedZones"},
		},
		ops: map[string]*operation{
			"ListHostedZones": {handle: r53ListHostedZones},
		},
	}
}

type hostedZone struct {
	ID                     string `xml:"Id"`
	Name                   string `xml:"Name"`
	CallerReference        string `xml:"CallerReference"`
	PrivateZone            bool   `xml:"Config>PrivateZone"`
	ResourceRecordSetCount int    `xml:"ResourceRecordSetCount"`
}

type listHostedZonesResult struct {
	HostedZones []hostedZone `xml:"HostedZones>HostedZone"`
	Marker      string       `xml:"Marker"`
	IsTruncated bool         `xml:"IsTruncated"`
	NextMarker  string       `xml:"NextMarker,omitempty"`
	MaxItems    int          `xml:"MaxItems"`
}

func r53ListHostedZones(r *request) (any, error) {
	max, err := r.queryInt("maxitems", "InvalidInput")
	if err != nil {
		return nil, err
	}
	if max == 0 {
		max = 100
	}
	typ := r.query("hostedzonetype")
	if typ != "" && typ != "PrivateHostedZone" {
		return nil, errf("InvalidInput", http.StatusBadRequest, "hostedzonetype %q: want PrivateHostedZone", typ)
	}
	a := r.account()
	var all []hostedZone
	for _, z := range a.HostedZones {
		if typ != "" && !z.Private {
			continue
		}
		name := z.Name
		if name[len(name)-1] != '.' {
			name += "."
		}
		all = append(all, hostedZone{
			ID: "/hostedzone/Z" + token("zone/"+a.ID+"/"+name, 20), Name: name,
			CallerReference: hexID("zone/"+a.ID+"/"+name, 36), PrivateZone: z.Private, ResourceRecordSetCount: 4,
		})
	}
	marker := r.query("marker")
	out, next, err := pageOr(all, marker, max, 100, "InvalidInput")
	if err != nil {
		return nil, err
	}
	out = slices.Clip(out)
	return listHostedZonesResult{HostedZones: out, Marker: marker, IsTruncated: next != "", NextMarker: next, MaxItems: max}, nil
}
