package sim

import (
	"net/http"

	"github.com/rootguard/rootguard/internal/policy"
)

// resourceAccess decides a call on a resource with a resource policy (an
// S3 bucket, an SQS queue) owned by owner. A root session (sts:AssumeRoot
// with an unlock task policy, already checked by authorize) of the owner
// account passes whatever the policy says: that is how a policy that denies
// everyone is removed. Any other session is refused when the policy denies
// the action (Principal is not evaluated: a Deny applies to every caller),
// and a caller from another account needs an Allow.
func resourceAccess(r *request, owner string, doc PolicyDocument, action, resource string) error {
	if r.sess.kind == sessRoot {
		if r.sess.account == owner {
			return nil
		}
		return accessDenied(r, action, resource)
	}
	var d policy.Decision
	if doc != "" {
		p, err := policy.Parse(resource, []byte(doc))
		if err != nil {
			return errf("InternalFailure", http.StatusInternalServerError, "the policy of %s does not parse: %v", resource, err)
		}
		d = policy.Evaluate(p, policy.Request{Action: action, Resource: resource, PrincipalARN: r.sess.arn})
	}
	if d.Denied {
		e := accessDenied(r, action, resource)
		e.Message += " with an explicit deny in a resource-based policy"
		return e
	}
	if owner != r.sess.account && !d.Allowed {
		return accessDenied(r, action, resource)
	}
	return nil
}

// checkResourcePolicy refuses a resource policy that is not a policy
// document.
func checkResourcePolicy(doc []byte) error {
	_, err := policy.Parse("policy", doc)
	return err
}
