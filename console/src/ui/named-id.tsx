/** An ID in full, with the thing's name before it when known (`Checkout wf_…`). */
export const NamedId = (props: { id: string | null; name: string | null }) =>
  props.id ? (
    <span class="named-id">
      {props.name ? <span class="name">{props.name}</span> : null} <code class="token">{props.id}</code>
    </span>
  ) : (
    <>—</>
  );
