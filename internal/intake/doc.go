// Package intake consumes CloudTrail events that EventBridge delivers to an
// SQS queue (the message body is the EventBridge event; the CloudTrail
// record is its detail) and feeds them to the one detection driver
// (detect.Driver), as trail scan feeds it archive records.
//
// Several workers long-poll the queue. Each message is decoded and
// observed by a worker; one writer admits and writes its alerts, and only
// then is the message deleted, so an alert is never lost to a crash between
// reading and writing. A message that is not a CloudTrail event (a poison
// message) is counted and left in the queue: its redrive policy moves it to
// the dead-letter queue after maxReceiveCount receives. Events are handled
// once by detail.eventID (a redelivered or duplicated message is deleted
// without being observed again). Cancelling the context stops receiving;
// the messages already received are finished, and those not yet received
// stay in the queue (a message received by a cancelled poll comes back
// after its visibility timeout).
package intake
