// Loads cdktf's jest matchers (toHaveResource, toHaveResourceWithProperties, toPlanSuccessfully, …).
const cdktf = require("cdktf");
cdktf.Testing.setupJest();
