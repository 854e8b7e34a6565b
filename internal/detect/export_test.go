package detect

import "reflect"

// DecodeRecordStd is DecodeRecord with encoding/json alone: the decoder before the scanner of
// decode_scan.go, kept as the oracle the tests compare DecodeRecord with.
func DecodeRecordStd(data []byte) (*Record, error) { return decodeRecord(data, false) }

// ScansRecord reports whether the scanner reads data, a record, without falling back to
// encoding/json.
func ScansRecord(data []byte) bool {
	return scanStruct(data, reflect.ValueOf(&wireRecord{}).Elem(), recordFields)
}
