//! Request validation: an invalid request is `INVALID_ARGUMENT` with a message naming the field.

use crate::proto::CreateOrderRequest;
use tonic::Status;

/// Checks a `CreateOrder` request; the error names the first field that is wrong.
///
/// ```
/// use jostle_harness::proto::CreateOrderRequest;
/// use jostle_harness::service::validate_create;
///
/// let empty = CreateOrderRequest { customer_id: "bob".into(), ..Default::default() };
/// let status = validate_create(&empty).unwrap_err();
/// assert_eq!(status.code(), tonic::Code::InvalidArgument);
/// assert!(status.message().starts_with("items:"));
/// ```
pub fn validate_create(request: &CreateOrderRequest) -> Result<(), Status> {
    if request.customer_id.trim().is_empty() {
        return Err(invalid("customer_id", "must not be empty"));
    }
    if request.items.is_empty() {
        return Err(invalid("items", "must hold at least one line item"));
    }
    for (index, item) in request.items.iter().enumerate() {
        if item.sku.trim().is_empty() {
            return Err(invalid(&format!("items[{index}].sku"), "must not be empty"));
        }
        if item.quantity == 0 {
            return Err(invalid(&format!("items[{index}].quantity"), "must be at least 1"));
        }
        if item.unit_price_minor < 0 {
            return Err(invalid(
                &format!("items[{index}].unit_price_minor"),
                "must not be negative",
            ));
        }
    }
    if request.amount_minor < 0 {
        return Err(invalid("amount_minor", "must not be negative"));
    }
    Ok(())
}

fn invalid(field: &str, rule: &str) -> Status {
    Status::invalid_argument(format!("{field}: {rule}"))
}
