// Bundle entry for the JS stack's size (sizes.mjs): what a page would ship.
export { validateWithJsStack } from "./js-stack.mjs";
