import SignUp from "./sign-up";

export default function Page() {
  return (
    <main>
      <h1>Join the club</h1>
      <SignUp />
    </main>
  );
}
