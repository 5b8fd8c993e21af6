/** A form's buttons: submit (disabled while the call runs) and Cancel. */
export const FormActions = (props: { submitLabel: string; busy: boolean; onCancel: () => void }) => (
  <div class="actions">
    <button type="submit" disabled={props.busy}>
      {props.submitLabel}
    </button>
    <button type="button" class="secondary" onClick={props.onCancel}>
      Cancel
    </button>
  </div>
);
