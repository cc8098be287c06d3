"use client";
// A client component that validates the email as the user types, with the package loaded
// in the browser only (a dynamic import: the server renders the form without it).
import { useEffect, useState } from "react";
import rows from "../rows.js";
import { verdicts } from "../verdicts.js";

export default function SignUp() {
  const [cv, setCv] = useState(null);
  const [email, setEmail] = useState("");
  const [errors, setErrors] = useState([]);

  useEffect(() => {
    import("customer-validation").then((api) => {
      setCv(api);
      window.__result = { engine: api.phoneEngine, verdicts: verdicts(api, rows) };
    });
  }, []);

  function onChange(event) {
    const value = event.target.value;
    setEmail(value);
    setErrors(cv ? cv.validateField("store", "customer.email", value).map((e) => e.code) : []);
  }

  return (
    <form noValidate>
      <label htmlFor="email">Email</label>
      <input id="email" value={email} onChange={onChange} data-ready={cv ? "1" : "0"} aria-invalid={errors.length > 0} />
      <p id="email-error">{errors.join(" ")}</p>
    </form>
  );
}
