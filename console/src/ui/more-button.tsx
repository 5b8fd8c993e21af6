/** "More pages on request": one button under a list while the API has another page. */
export const MoreButton = (props: { what: string; show: boolean; loading: boolean; onMore: () => void }) =>
  props.show ? (
    <p>
      <button type="button" class="secondary" disabled={props.loading} onClick={props.onMore}>
        Load more {props.what}
      </button>
    </p>
  ) : null;
