package inventory

// SignInRegion is where AWS delivers root console sign-in events; it is
// always among the collected Regions.
const SignInRegion = "us-east-1"
