package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rootguard/rootguard/internal/custody"
	"github.com/rootguard/rootguard/internal/inventory"
)

// This file holds what the custody-* checks share: the account's custody
// record and the comparison of its MFA devices with the snapshot's.

// stepBreakGlass is the SEC01-BP02 step of who may use root and how.
const stepBreakGlass = "Break-glass procedure"

// custodySource names the custody registry as the source of a fact.
const custodySource = "custody registry"

// noRegistry is the reason every custody check gives without a registry.
const noRegistry = "no custody registry: record one with `rootguard custody import FILE`, or give one with `scan --custody FILE`"

// custodyRecord returns the account's custody record (nil when the account
// is not recorded), or an UNKNOWN result when there is no registry at all.
func custodyRecord(in Input) (*custody.Account, Result, bool) {
	if in.Config.Custody == nil {
		return nil, unknown(noRegistry, map[string]any{"source_api": custodySource}), false
	}
	return in.Config.Custody.Lookup(in.Account.ID), Result{}, true
}

// passwordRecord is where the checks about the root password start: the
// account's custody record when root has a password and the account is
// recorded; otherwise the result to return (UNKNOWN, or NOT_APPLICABLE
// without a password, with noPassword saying why).
func passwordRecord(in Input, noPassword string) (*custody.Account, answer, Result, bool) {
	rec, r, ok := custodyRecord(in)
	if !ok {
		return nil, answer{}, r, false
	}
	pw := passwordPresent(in.Account)
	switch {
	case !pw.known:
		return nil, pw, unknownFrom(pw.reason, pw.failed, nil), false
	case !pw.yes:
		return nil, pw, Result{Status: NotApplicable, Detail: "root has no password: " + noPassword, Evidence: map[string]any{"source_api": pw.source}}, false
	case rec == nil:
		return nil, pw, unknown(notRecorded(in.Account), map[string]any{"source_api": custodySource}), false
	}
	return rec, pw, Result{}, true
}

// notRecorded is how a check says the account has no custody record.
func notRecorded(a *inventory.Account) string {
	return fmt.Sprintf("account %s is not in the custody registry: record it with `rootguard custody set --account %s …`", a.ID, a.ID)
}

// deviceCustody compares the root MFA devices the snapshot lists with the
// devices the custody record names.
type deviceCustody struct {
	inv mfaInventory
	// held are the recorded devices that exist, or that the snapshot cannot
	// rule out (unconfirmed).
	held []custody.Device
	// unheld are listed devices without a recorded holder.
	unheld []string
	// stale are recorded devices that are not root MFA devices of the
	// account: its device list, complete for their type, lacks them.
	stale []string
	// unconfirmed are recorded hardware TOTP and FIDO devices of an account
	// whose list holds only virtual devices (a management or standalone
	// account read with ordinary credentials).
	unconfirmed []string
}

// devicesOf compares the devices; rec may be nil. It needs inv.known.
func devicesOf(inv mfaInventory, rec *custody.Account) deviceCustody {
	dc := deviceCustody{inv: inv}
	var recorded []custody.Device
	if rec != nil {
		recorded = rec.MFA
	}
	for _, d := range inv.devices {
		i := slices.IndexFunc(recorded, func(r custody.Device) bool { return r.Serial == d.Serial })
		if i < 0 {
			dc.unheld = append(dc.unheld, d.Serial)
			continue
		}
		dc.held = append(dc.held, recorded[i])
	}
	for _, r := range recorded {
		switch {
		case slices.ContainsFunc(inv.devices, func(d inventory.MFADevice) bool { return d.Serial == r.Serial }):
		case inv.complete || mfaType(r.Serial) == inventory.MFAVirtual:
			dc.stale = append(dc.stale, r.Serial)
		default:
			dc.unconfirmed = append(dc.unconfirmed, r.Serial)
			dc.held = append(dc.held, r)
		}
	}
	return dc
}

// evidence adds the comparison to ev.
func (dc deviceCustody) evidence(ev map[string]any) {
	ev["devices"] = deviceEvidence(dc.inv.devices)
	ev["device_list_complete"] = dc.inv.complete
	held := make([]map[string]any, 0, len(dc.held))
	for _, d := range dc.held {
		held = append(held, map[string]any{"serial": d.Serial, "holder": d.Holder})
	}
	ev["device_holders"] = held
	for k, v := range map[string][]string{"devices_without_holder": dc.unheld, "stale_devices": dc.stale, "unconfirmed_devices": dc.unconfirmed} {
		if len(v) > 0 {
			ev[k] = v
		}
	}
}

// joinQuoted lists values for a detail line.
func joinQuoted(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
