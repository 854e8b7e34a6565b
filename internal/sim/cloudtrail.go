package sim

import "maps"

// cloudtrailService is CloudTrail (awsJson1_1). Its operations come from
// the files that implement them: trailOperations (trails, their status
// and event selectors) and lakeOperations (CloudTrail Lake queries).
func cloudtrailService() *service {
	ops := map[string]*operation{}
	maps.Copy(ops, trailOperations())
	maps.Copy(ops, lakeOperations())
	return &service{
		name:       "cloudtrail",
		proto:      protoJSON,
		target:     "CloudTrail_20131101",
		altTargets: []string{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"},
		ops:        ops,
	}
}
