// Package hsm models an AWS CloudHSM cluster: its HSM nodes, the users and
// keys each node holds, handle allocation, and the access rules that decide
// who may do what.
//
// Every node keeps its own copy of users and objects. Operations that the
// real client daemon fans out to the whole cluster (everything key_mgmt_util
// does) are applied to every node that is up and report one status per node;
// cloudhsm_mgmt_util can address nodes one at a time. That is what lets the
// simulator show a cluster whose HSMs have drifted apart, and syncKey or
// syncUser bring them back in line.
//
// The package does no I/O of its own: randomness comes in as an io.Reader and
// cryptography is done by package mech.
package hsm
